using System.CommandLine;
using System.Text.Json;
using Mailroom.Core.Organizations;
using Mailroom.Server.Hosting;
using Mailroom.Server.Mcp;

namespace Mailroom.Server.Cli;

/// <summary>
/// <c>mailroom</c> serves; <c>mailroom admin …</c> operates on the same configuration. Tokens the parser does not
/// know (<c>--urls</c>, <c>--Mailroom:DataDir=…</c>) pass through to ASP.NET Core configuration.
/// </summary>
public static class MailroomCommandLine
{
    public static RootCommand Create(TextWriter output)
    {
        var root = new RootCommand("Mailroom: mail for AI agents") { TreatUnmatchedTokensAsErrors = false };
        root.SetAction(async (result, ct) =>
        {
            await using var app = MailroomApp.Build(result.UnmatchedTokens.ToArray());
            await app.PrepareToServeAsync(ct);
            await app.RunAsync(ct);
            return 0;
        });

        var admin = new Command("admin", "operator commands") { TreatUnmatchedTokensAsErrors = false };
        var name = new Option<string>("--name") { Description = "the organization's name", Required = true };
        var createOrg = new Command("create-org", "create an organization and print its first API key as JSON") { name };
        createOrg.TreatUnmatchedTokensAsErrors = false;
        createOrg.SetAction(async (result, ct) =>
        {
            await using var app = MailroomApp.Build(result.UnmatchedTokens.ToArray());
            await app.MigrateAsync(ct);
            var (organization, key) = await app.Services.GetRequiredService<OrganizationService>()
                .CreateAsync(result.GetValue(name)!, ct);
            await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["org_id"] = organization.Id, ["api_key"] = key.Token,
            }));
            return 0;
        });
        admin.Subcommands.Add(createOrg);
        root.Subcommands.Add(admin);

        var mcp = new Command("mcp", $"serve the MCP tools over standard input and output as the key in {McpStdio.ApiKeyVariable}; opens no listeners")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        mcp.SetAction(async (result, ct) =>
        {
            // Standard output carries the protocol: every log line goes to standard error.
            await using var app = MailroomApp.Build([.. result.UnmatchedTokens, "--Logging:Console:LogToStandardErrorThreshold=Trace"]);
            await app.MigrateAsync(ct);
            return await McpStdio.RunAsync(app.Services, app.Configuration, Environment.GetEnvironmentVariable(McpStdio.ApiKeyVariable), Console.Error, ct);
        });
        root.Subcommands.Add(mcp);

        var files = new Argument<string[]>("FILE") { Description = "message files to parse", Arity = ArgumentArity.OneOrMore };
        var summarize = new Command("summarize", "print the parser's view of each message as one JSON line") { files };
        summarize.SetAction(result =>
        {
            Mime.MimeSummary.WriteLines(result.GetValue(files)!, output);
            return 0;
        });
        var mime = new Command("mime", "MIME tools") { summarize };
        root.Subcommands.Add(mime);
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct = default) =>
        Create(output).Parse(args).InvokeAsync(cancellationToken: ct);
}
