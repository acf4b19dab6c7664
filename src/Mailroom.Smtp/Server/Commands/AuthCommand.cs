using System.Text;

namespace Mailroom.Smtp.Server.Commands;

/// <summary>AUTH PLAIN / AUTH LOGIN (RFC 4954, RFC 4616): checks credentials with the server's authenticator.</summary>
internal sealed class AuthCommand : SmtpCommandHandler
{
    private const string UserNameChallenge = "VXNlcm5hbWU6"; // "Username:"
    private const string PasswordChallenge = "UGFzc3dvcmQ6"; // "Password:"

    public override SmtpVerb Verb => SmtpVerb.Auth;

    public override async ValueTask<SmtpReply?> ExecuteAsync(SmtpServerSession session, string arguments, CancellationToken cancellationToken)
    {
        if (session.Authenticator is null)
        {
            return SmtpReplies.NotImplemented;
        }
        if (session.Info.AuthenticatedUser is not null)
        {
            return SmtpReplies.AlreadyAuthenticated;
        }
        if (!session.CanAuthenticate)
        {
            return SmtpReplies.EncryptionRequired;
        }
        var parts = arguments.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return SmtpReplies.Syntax("AUTH mechanism [initial-response]");
        }
        var initialResponse = parts.Length > 1 ? parts[1] : null;
        switch (parts[0].ToUpperInvariant())
        {
            case "PLAIN" when initialResponse is null:
                session.BeginAuth(new Exchange(Step.Plain, null));
                return SmtpReplies.AuthChallenge("");
            case "PLAIN":
                return await new Exchange(Step.Plain, null).RespondAsync(session, initialResponse, cancellationToken);
            case "LOGIN" when initialResponse is null:
                session.BeginAuth(new Exchange(Step.LoginUserName, null));
                return SmtpReplies.AuthChallenge(UserNameChallenge);
            case "LOGIN":
                return await new Exchange(Step.LoginUserName, null).RespondAsync(session, initialResponse, cancellationToken);
            default:
                return SmtpReplies.UnknownAuthMechanism;
        }
    }

    internal enum Step { Plain, LoginUserName, LoginPassword }

    /// <summary>One base64 response line of an AUTH exchange.</summary>
    internal sealed class Exchange(Step step, string? userName)
    {
        public async ValueTask<SmtpReply> RespondAsync(SmtpServerSession session, string line, CancellationToken cancellationToken)
        {
            if (line == "*")
            {
                return SmtpReplies.AuthCancelled;
            }
            string decoded;
            try
            {
                // RFC 4954: "=" is an empty initial response.
                decoded = line == "=" ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(line));
            }
            catch (FormatException)
            {
                return SmtpReplies.AuthInvalidBase64;
            }
            switch (step)
            {
                case Step.LoginUserName:
                    session.BeginAuth(new Exchange(Step.LoginPassword, decoded));
                    return SmtpReplies.AuthChallenge(PasswordChallenge);
                case Step.LoginPassword:
                    return await CheckAsync(session, userName!, decoded, cancellationToken);
                default:
                    // authzid NUL authcid NUL passwd (RFC 4616); an authzid other than the user is not supported.
                    var fields = decoded.Split('\0');
                    if (fields.Length != 3 || (fields[0].Length > 0 && fields[0] != fields[1]))
                    {
                        return SmtpReplies.AuthFailed;
                    }
                    return await CheckAsync(session, fields[1], fields[2], cancellationToken);
            }
        }

        private static async ValueTask<SmtpReply> CheckAsync(SmtpServerSession session, string userName, string password, CancellationToken cancellationToken)
        {
            bool accepted;
            try
            {
                accepted = await session.Authenticator!.AuthenticateAsync(session.Info, userName, password, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return SmtpReplies.AuthTemporaryFailure;
            }
            if (!accepted)
            {
                return SmtpReplies.AuthFailed;
            }
            session.Info.AuthenticatedUser = userName;
            return SmtpReplies.AuthSucceeded;
        }
    }
}
