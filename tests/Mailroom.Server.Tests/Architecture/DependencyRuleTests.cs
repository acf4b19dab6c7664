using System.Reflection;
using Mailroom.Core.Messaging;
using Mailroom.Server.Dialects.AgentMailV0;
using Mailroom.Server.Dialects.Shared;
using Mailroom.Server.Hosting;

namespace Mailroom.Server.Tests.Architecture;

/// <summary>
/// The layout's rules, checked on compiled code: a dialect uses only its own folder, the shared one and Core; the mail
/// transport knows no dialect; Core holds no dialect's wire names; projects depend one way.
/// </summary>
public sealed class DependencyRuleTests
{
    private const string DialectsNamespace = "Mailroom.Server.Dialects.";
    private const string MailNamespace = "Mailroom.Server.Mail";
    private static readonly Assembly Server = typeof(MailroomApp).Assembly;

    /// <summary>Names that belong to one dialect's wire format: error names, paging parameters, routes.</summary>
    private static readonly string[] WireNames =
    [
        "ValidationError", "NotFoundError", "AlreadyExistsError", "LimitExceededError", "MessageRejectedError", "ForbiddenError",
        "UnauthorizedError", "RateLimitError", "page_size", "/api/", "POST /", "GET /", "plan_limit_reached", "invalid_request",
    ];

    private static string? DialectOf(Type type) =>
        type.Assembly == Server && type.Namespace is { } ns && ns.StartsWith(DialectsNamespace, StringComparison.Ordinal) ? ns[DialectsNamespace.Length..].Split('.')[0] : null;

    private static bool IsMailTransport(Type type) =>
        type.Assembly == Server && type.Namespace is { } ns && (ns == MailNamespace || ns.StartsWith(MailNamespace + ".", StringComparison.Ordinal));

    /// <summary>Storage and the mail protocols are reached through Core's interfaces, never by a dialect directly.</summary>
    private static bool IsBelowCore(Type type) => type.Assembly.GetName().Name is "Mailroom.Data" or "Mailroom.Smtp" or "Mailroom.MailAuth";

    private static List<string> Violations(Func<Type, bool> owner, Func<Type, Type, bool> forbidden) =>
        (from type in Server.GetTypes()
         where owner(type)
         from used in TypeReferences.Of(type)
         where forbidden(type, used)
         select $"{type.FullName} -> {used.FullName}").Distinct().ToList();

    [Fact]
    public void A_dialect_uses_no_other_dialect_nor_the_mail_transport_nor_storage()
    {
        var violations = Violations(t => DialectOf(t) is { } d && d != "Shared",
            (type, used) => IsMailTransport(used) || IsBelowCore(used) || DialectOf(used) is { } other && other != "Shared" && other != DialectOf(type));
        Assert.Empty(violations);
    }

    [Fact]
    public void What_the_dialects_share_uses_no_dialect_and_not_the_mail_transport()
    {
        var violations = Violations(t => DialectOf(t) == "Shared",
            (_, used) => IsMailTransport(used) || IsBelowCore(used) || DialectOf(used) is { } d && d != "Shared");
        Assert.Empty(violations);
    }

    /// <summary>The MCP tools call Core like a dialect does: no dialect's endpoints, no mail transport, no storage.</summary>
    [Fact]
    public void The_mcp_server_uses_no_dialect_nor_the_mail_transport_nor_storage()
    {
        var violations = Violations(t => t.Assembly == Server && t.Namespace == "Mailroom.Server.Mcp",
            (_, used) => IsMailTransport(used) || IsBelowCore(used) || DialectOf(used) is { } d && d != "Shared");
        Assert.Empty(violations);
    }

    [Fact]
    public void The_mail_transport_uses_no_dialect()
    {
        var violations = Violations(IsMailTransport, (_, used) => DialectOf(used) is not null);
        Assert.Empty(violations);
    }

    [Fact]
    public void Core_holds_no_dialect_wire_name()
    {
        var found = TypeReferences.StringLiterals(typeof(Correspondence).Assembly)
            .Where(l => WireNames.Any(name => l.Literal.Contains(name, StringComparison.Ordinal)))
            .Select(l => $"{l.Type.FullName}: \"{l.Literal}\"")
            .Distinct().ToList();
        Assert.Empty(found);
    }

    [Theory]
    [InlineData("Mailroom.Mime")]
    [InlineData("Mailroom.Smtp", "Mailroom.Mime")]
    [InlineData("Mailroom.MailAuth", "Mailroom.Mime")]
    [InlineData("Mailroom.Core", "Mailroom.Mime")]
    [InlineData("Mailroom.Data", "Mailroom.Core", "Mailroom.Mime")]
    public void Projects_depend_one_way(string project, params string[] allowed)
    {
        var assembly = Assembly.Load(project);
        var ours = assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("Mailroom.", StringComparison.Ordinal));
        Assert.Empty(ours.Except(allowed));
    }

    /// <summary>The scanner itself: references made only inside lambdas, generic arguments and IL are found.</summary>
    [Fact]
    public void The_reference_scanner_sees_lambdas_generic_arguments_and_literals()
    {
        var dialect = TypeReferences.Of(typeof(AgentMailV0Dialect));
        Assert.Contains(typeof(ApiKeyAuthentication), dialect); // AddEndpointFilter<ApiKeyAuthentication>()
        var sendLambdas = typeof(SendEndpoints).GetNestedTypes(BindingFlags.NonPublic).SelectMany(TypeReferences.Of).ToHashSet();
        Assert.Contains(typeof(Correspondence), sendLambdas);
        Assert.Contains(TypeReferences.StringLiterals(Server), l => l.Type == typeof(V0Errors) && l.Literal == "ValidationError");
    }
}
