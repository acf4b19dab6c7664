namespace Mailroom.Smtp.Server.Commands;

/// <summary>BDAT size [LAST] (RFC 3030): the next <c>size</c> octets are message data, answered once read.</summary>
internal sealed class BdatCommand : SmtpCommandHandler
{
    public override SmtpVerb Verb => SmtpVerb.Bdat;

    public override ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        if (!TryParse(arguments, out var size, out var last))
        {
            // Without a size the chunk's end is unknown and its bytes would be read as commands: stop here.
            session.CloseAfterReply();
            return ValueTask.FromResult<SmtpReply?>(SmtpReplies.Syntax("BDAT size [LAST]"));
        }
        session.BeginChunk(size, last, rejection: null);
        return ValueTask.FromResult<SmtpReply?>(null);
    }

    public static bool TryParse(string arguments, out long size, out bool last)
    {
        size = 0;
        last = false;
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2 || parts[0].Length > 18 || !parts[0].All(char.IsAsciiDigit))
        {
            return false;
        }
        if (parts.Length == 2)
        {
            if (!parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            last = true;
        }
        size = long.Parse(parts[0]);
        return true;
    }
}
