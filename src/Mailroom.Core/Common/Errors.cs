namespace Mailroom.Core.Common;

/// <summary>A refusal the caller can fix; every dialect maps it to its own error shape and status.</summary>
public abstract class MailroomException(string message) : Exception(message)
{
    /// <summary>The error's name in the API (<c>ValidationError</c>, <c>NotFoundError</c> ...).</summary>
    public abstract string Name { get; }
}

/// <summary>A request field is missing or malformed; the message starts with the field's name.</summary>
public sealed class ValidationException(string field, string reason) : MailroomException($"{field}: {reason}")
{
    public string Field { get; } = field;
    public override string Name => "ValidationError";
}

public sealed class NotFoundException(string what) : MailroomException($"{what} not found")
{
    public override string Name => "NotFoundError";
}

public sealed class ConflictException(string message) : MailroomException(message)
{
    public override string Name => "AlreadyExistsError";
}

/// <summary>An organization limit (inboxes, domains) would be passed.</summary>
public sealed class LimitExceededException(string field, string message) : MailroomException($"{field}: {message}")
{
    public string Field { get; } = field;
    public override string Name => "LimitExceededError";
}
