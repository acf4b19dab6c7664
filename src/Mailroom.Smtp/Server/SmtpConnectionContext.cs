using System.Net;

namespace Mailroom.Smtp.Server;

/// <summary>What the listener knows about a connection before SMTP starts.</summary>
public sealed record SmtpConnectionContext(EndPoint? RemoteEndPoint, EndPoint? LocalEndPoint);
