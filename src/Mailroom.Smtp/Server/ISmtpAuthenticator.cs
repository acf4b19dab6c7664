namespace Mailroom.Smtp.Server;

/// <summary>Checks AUTH PLAIN and AUTH LOGIN credentials. AUTH is advertised only when the server has one.</summary>
public interface ISmtpAuthenticator
{
    ValueTask<bool> AuthenticateAsync(SmtpSessionInfo info, string userName, string password, CancellationToken cancellationToken);
}
