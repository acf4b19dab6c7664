using System.Text;

namespace Mailroom.Smtp.Client;

/// <summary>
/// The sending side of one delivery with no I/O: it says what to send (<see cref="SmtpClientStep"/>) and is told each
/// reply. EHLO (HELO if refused), STARTTLS per <see cref="SmtpTlsMode"/>, AUTH PLAIN or LOGIN, then MAIL/RCPT/DATA,
/// pipelined in one batch when the server offers PIPELINING (RFC 2920).
/// </summary>
public sealed class SmtpClientSession
{
    private enum Expect { Greeting, Ehlo, Helo, StartTls, AuthPlain, AuthLoginStart, AuthLoginUserName, AuthLoginPassword, Mail, Rcpt, Data, EndOfData, EmptyData }

    private readonly SmtpClientOptions _options;
    private readonly string _mailFrom;
    private readonly IReadOnlyList<string> _recipients;
    private readonly long _messageSize;
    private readonly bool _eightBitData;
    private readonly bool _nonAsciiHeaders;
    private readonly Queue<(Expect What, int Index)> _expected = new();
    private readonly SmtpReply?[] _recipientReplies;
    private readonly Dictionary<string, string> _extensions = new(StringComparer.OrdinalIgnoreCase);
    private SmtpReply? _mailReply;
    private SmtpReply? _dataReply;

    /// <param name="messageSize">Message size in octets after CRLF normalization, sent as SIZE.</param>
    /// <param name="eightBitData">The message has octets above 127 (BODY=8BITMIME).</param>
    /// <param name="nonAsciiHeaders">The header section has octets above 127 (SMTPUTF8 when offered).</param>
    public SmtpClientSession(SmtpClientOptions options, string mailFrom, IReadOnlyList<string> recipients, long messageSize, bool eightBitData, bool nonAsciiHeaders)
    {
        if (recipients.Count == 0)
        {
            throw new ArgumentException("At least one recipient is needed.", nameof(recipients));
        }
        _options = options;
        _mailFrom = mailFrom;
        _recipients = recipients;
        _messageSize = messageSize;
        _eightBitData = eightBitData;
        _nonAsciiHeaders = nonAsciiHeaders;
        _recipientReplies = new SmtpReply?[recipients.Count];
        IsTls = options.TlsMode == SmtpTlsMode.ImplicitTls;
    }

    public bool IsTls { get; private set; }

    /// <summary>EHLO keywords the server offered, with their parameters (e.g. <c>SIZE</c> → <c>10240000</c>).</summary>
    public IReadOnlyDictionary<string, string> Extensions => _extensions;

    public SmtpDeliveryResult? Result { get; private set; }

    /// <summary>The first step: wait for the server's greeting.</summary>
    public SmtpClientStep Start()
    {
        _expected.Enqueue((Expect.Greeting, 0));
        return SmtpClientStep.ReadReply;
    }

    /// <summary>After the TLS handshake: the server forgot the session, so greet again (RFC 3207).</summary>
    public SmtpClientStep OnTlsEstablished()
    {
        IsTls = true;
        _extensions.Clear();
        return Send(Expect.Ehlo, $"EHLO {_options.HeloName}");
    }

    /// <summary>A network fault, timeout or protocol error ended the attempt: every undecided recipient is a transient failure.</summary>
    public SmtpDeliveryResult Fault(string message)
    {
        Result = Build(null, message);
        return Result;
    }

    public SmtpClientStep OnReply(SmtpReply reply)
    {
        if (!_expected.TryDequeue(out var expected))
        {
            throw new InvalidOperationException("No reply is expected now.");
        }
        switch (expected.What)
        {
            case Expect.Greeting:
                return reply.Code == 220 ? Send(Expect.Ehlo, $"EHLO {_options.HeloName}") : Finish(reply, "Server refused the connection");
            case Expect.Ehlo when reply.IsPositiveCompletion:
                foreach (var line in reply.Lines.Skip(1))
                {
                    var space = line.IndexOf(' ');
                    _extensions[space < 0 ? line : line[..space]] = space < 0 ? "" : line[(space + 1)..];
                }
                return AfterHello();
            case Expect.Ehlo when reply.IsPermanentNegative:
                return Send(Expect.Helo, $"HELO {_options.HeloName}");
            case Expect.Helo when reply.IsPositiveCompletion:
                return AfterHello();
            case Expect.Ehlo or Expect.Helo:
                return Finish(reply, "Server refused the greeting");
            case Expect.StartTls when reply.Code == 220:
                return SmtpClientStep.StartTls;
            case Expect.StartTls when _options.TlsMode == SmtpTlsMode.StartTlsRequired:
                return Finish(TransientLocal("4.7.0", $"STARTTLS refused: {reply}"), "TLS is required but STARTTLS was refused");
            case Expect.StartTls:
                return Authenticate();
            case Expect.AuthLoginStart when reply.Code == 334:
                return Send(Expect.AuthLoginUserName, Base64(_options.Credentials!.UserName));
            case Expect.AuthLoginUserName when reply.Code == 334:
                return Send(Expect.AuthLoginPassword, Base64(_options.Credentials!.Password));
            case Expect.AuthPlain or Expect.AuthLoginPassword when reply.Code == 235:
                return BeginTransaction();
            case Expect.AuthPlain or Expect.AuthLoginStart or Expect.AuthLoginUserName or Expect.AuthLoginPassword:
                return Finish(reply, "Authentication failed");
            case Expect.Mail:
                _mailReply = reply;
                if (_expected.Count > 0)
                {
                    return SmtpClientStep.ReadReply;
                }
                return reply.IsPositiveCompletion ? Send(Expect.Rcpt, RcptCommand(0), 0) : Finish(reply, "Sender refused");
            case Expect.Rcpt:
                _recipientReplies[expected.Index] = reply;
                if (_expected.Count > 0)
                {
                    return SmtpClientStep.ReadReply;
                }
                if (expected.Index + 1 < _recipients.Count)
                {
                    return Send(Expect.Rcpt, RcptCommand(expected.Index + 1), expected.Index + 1);
                }
                return AnyRecipientAccepted ? Send(Expect.Data, "DATA") : FinishRefused();
            case Expect.Data when reply.Code == 354:
                if (_mailReply!.IsPositiveCompletion && AnyRecipientAccepted)
                {
                    _expected.Enqueue((Expect.EndOfData, 0));
                    return SmtpClientStep.SendMessage;
                }
                // A pipelining server that answers 354 with no valid recipient gets an empty message (RFC 2920 section 3.1).
                return Send(Expect.EmptyData, ".");
            case Expect.Data when !_mailReply!.IsPositiveCompletion || !AnyRecipientAccepted:
            case Expect.EmptyData:
                return FinishRefused();
            case Expect.Data:
                return Finish(reply, "Server refused DATA");
            default:
                _dataReply = reply;
                return Finish(reply, reply.IsPositiveCompletion ? "Delivered" : "Message refused");
        }
    }

    private bool AnyRecipientAccepted => _recipientReplies.Any(r => r is { IsPositiveCompletion: true });

    private SmtpClientStep AfterHello()
    {
        if (!IsTls && _options.TlsMode is SmtpTlsMode.StartTlsOpportunistic or SmtpTlsMode.StartTlsRequired && _extensions.ContainsKey("STARTTLS"))
        {
            return Send(Expect.StartTls, "STARTTLS");
        }
        if (!IsTls && _options.TlsMode == SmtpTlsMode.StartTlsRequired)
        {
            return Finish(TransientLocal("4.7.0", "TLS is required but the server does not offer STARTTLS"), "TLS is required but not offered");
        }
        return Authenticate();
    }

    private SmtpClientStep Authenticate()
    {
        var credentials = _options.Credentials;
        var mechanisms = _extensions.TryGetValue("AUTH", out var offered) ? offered.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        if (credentials is null || mechanisms.Length == 0)
        {
            return BeginTransaction();
        }
        if (mechanisms.Contains("PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            return Send(Expect.AuthPlain, $"AUTH PLAIN {Base64($"\0{credentials.UserName}\0{credentials.Password}")}");
        }
        if (mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            return Send(Expect.AuthLoginStart, "AUTH LOGIN");
        }
        return Finish(new SmtpReply(554, "5.7.8", $"No supported AUTH mechanism among: {offered}"), "Authentication impossible");
    }

    private SmtpClientStep BeginTransaction()
    {
        if (_extensions.TryGetValue("SIZE", out var sizeText) && long.TryParse(sizeText, out var limit) && limit > 0 && _messageSize > limit)
        {
            return Finish(new SmtpReply(552, "5.3.4", $"Message of {_messageSize} octets exceeds the server's limit of {limit}"), "Message too big for the server");
        }
        var utf8Addresses = SmtpAddress.RequiresSmtpUtf8(_mailFrom) || _recipients.Any(SmtpAddress.RequiresSmtpUtf8);
        var smtpUtf8 = _extensions.ContainsKey("SMTPUTF8");
        if (utf8Addresses && !smtpUtf8)
        {
            return Finish(new SmtpReply(553, "5.6.7", "Non-ASCII addresses and the server does not support SMTPUTF8"), "SMTPUTF8 needed");
        }
        var mail = new StringBuilder($"MAIL FROM:<{_mailFrom}>");
        if (_extensions.ContainsKey("SIZE"))
        {
            mail.Append(" SIZE=").Append(_messageSize);
        }
        if (_eightBitData && _extensions.ContainsKey("8BITMIME"))
        {
            mail.Append(" BODY=8BITMIME");
        }
        if (smtpUtf8 && (utf8Addresses || _nonAsciiHeaders))
        {
            mail.Append(" SMTPUTF8");
        }
        if (!_extensions.ContainsKey("PIPELINING"))
        {
            return Send(Expect.Mail, mail.ToString());
        }
        var commands = new List<string> { mail.ToString() };
        _expected.Enqueue((Expect.Mail, 0));
        for (var i = 0; i < _recipients.Count; i++)
        {
            commands.Add(RcptCommand(i));
            _expected.Enqueue((Expect.Rcpt, i));
        }
        commands.Add("DATA");
        _expected.Enqueue((Expect.Data, 0));
        return SmtpClientStep.Send(commands);
    }

    private string RcptCommand(int index) => $"RCPT TO:<{_recipients[index]}>";

    private SmtpClientStep Send(Expect expect, string command, int index = 0)
    {
        _expected.Enqueue((expect, index));
        return SmtpClientStep.Send(command);
    }

    /// <summary>Ends a transaction that never reached the data: the sender or every recipient was refused.</summary>
    private SmtpClientStep FinishRefused()
    {
        if (!_mailReply!.IsPositiveCompletion)
        {
            return Finish(_mailReply, "Sender refused");
        }
        var first = _recipientReplies.First(r => r is not null)!;
        return Finish(first, "All recipients refused");
    }

    private SmtpClientStep Finish(SmtpReply reply, string message)
    {
        _expected.Clear();
        Result = Build(reply, message) with { DataReply = _dataReply };
        return SmtpClientStep.Done;
    }

    private SmtpDeliveryResult Build(SmtpReply? decidingReply, string message)
    {
        var recipients = new SmtpRecipientResult[_recipients.Count];
        for (var i = 0; i < recipients.Length; i++)
        {
            // When MAIL failed, the RCPT replies (503 or none) say nothing about the recipients.
            var own = _mailReply is { IsPositiveCompletion: true } ? _recipientReplies[i] : null;
            recipients[i] = own is { IsPositiveCompletion: false }
                ? new SmtpRecipientResult(_recipients[i], SmtpDeliveryResult.Classify(own), own)
                : decidingReply is null
                    ? new SmtpRecipientResult(_recipients[i], SmtpDeliveryStatus.TransientFailure, null)
                    : new SmtpRecipientResult(_recipients[i], SmtpDeliveryResult.Classify(decidingReply), decidingReply);
        }
        var status = recipients.Any(r => r.Status == SmtpDeliveryStatus.Delivered) ? SmtpDeliveryStatus.Delivered
            : recipients.Any(r => r.Status == SmtpDeliveryStatus.TransientFailure) ? SmtpDeliveryStatus.TransientFailure
            : SmtpDeliveryStatus.PermanentFailure;
        return new SmtpDeliveryResult(status, recipients, decidingReply, message);
    }

    private static SmtpReply TransientLocal(string enhancedCode, string text) => new(454, enhancedCode, text);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
