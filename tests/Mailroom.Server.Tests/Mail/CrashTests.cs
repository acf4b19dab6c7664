using System.Diagnostics;
using System.Text.Json.Nodes;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Tests.Shared;

namespace Mailroom.Server.Tests.Mail;

/// <summary>Nothing that got 250 is lost when the process is killed in the middle of a burst.</summary>
public sealed class CrashTests
{
    public static TheoryData<string> Providers() => TestDatabase.Providers();

    /// <summary>SMTP clients sending without pause, printing each number that got 250; the subject is <c>crash {tag}{n}</c>.</summary>
    internal const string Blaster = """
        import smtplib, sys, threading, time
        port, rcpt, workers = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        tag = sys.argv[4] if len(sys.argv) > 4 else ""
        lock = threading.Lock()
        counter = [0]
        def work(w):
            failures_since = None
            while True:
                try:
                    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
                    s.ehlo("blaster.example")
                    while True:
                        with lock:
                            counter[0] += 1
                            n = counter[0]
                        msg = "From: blaster@blaster.example\r\nTo: %s\r\nSubject: crash %s%d\r\nMessage-ID: <crash-%s%d@blaster.example>\r\n\r\nnumber %d\r\n" % (rcpt, tag, n, tag, n, n)
                        s.sendmail("blaster@blaster.example", [rcpt], msg)
                        with lock:
                            sys.stdout.write("accepted %d\n" % n)
                            sys.stdout.flush()
                        failures_since = None
                except Exception:
                    failures_since = failures_since or time.time()
                    if time.time() - failures_since > 3:
                        return
                    time.sleep(0.05)
        threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
        for t in threads: t.start()
        for t in threads: t.join()
        print("done", flush=True)
        """;

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_message_that_got_250_is_there_after_a_kill_and_restart(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // No NodeId: the restarted node is known by its data folder's id and takes back at once what the killed process held.
        var configuration = database.HostArguments().ToList();
        var output = new StringWriter();
        Assert.Equal(0, await MailroomCommandLine.RunAsync(["admin", "create-org", "--name", "Crash", .. configuration], output));
        var token = (string)JsonNode.Parse(output.ToString())!["api_key"]!;

        int httpPort, smtpPort;
        string inboxId, address;
        var accepted = new HashSet<int>();
        using (var first = await ServerProcess.StartAsync(configuration))
        {
            (httpPort, smtpPort) = (first.HttpPort, first.SmtpPort);
            using var http = new HttpClient { BaseAddress = first.Address };
            var api = new ApiClient(http, "", token);
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var inbox = await api.CreateInboxAsync("crash");
            (inboxId, address) = ((string)inbox["inbox_id"]!, (string)inbox["email_address"]!);

            var start = new ProcessStartInfo(ExternalTools.Python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-c", Blaster, smtpPort.ToString(), address, "6" }) start.ArgumentList.Add(argument);
            using var blaster = Process.Start(start)!;
            var killed = false;
            while (await blaster.StandardOutput.ReadLineAsync() is { } line && line != "done")
            {
                accepted.Add(int.Parse(line["accepted ".Length..]));
                if (!killed && accepted.Count >= 300)
                {
                    first.Kill(); // SIGKILL in the middle of the burst: sessions are cut mid-transaction
                    killed = true;
                }
            }
            await blaster.WaitForExitAsync();
            Assert.True(killed, "the burst ended before the kill");
        }

        using var second = await ServerProcess.StartAsync(configuration, httpPort, smtpPort);
        using var client = new HttpClient { BaseAddress = second.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var api2 = new ApiClient(client, "", token);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var subjects = new HashSet<int>();
        while (DateTime.UtcNow < deadline)
        {
            subjects.Clear();
            var total = int.MaxValue;
            for (var page = 1; (page - 1) * 100 < total; page++)
            {
                var body = (await api2.GetAsync($"/api/v0/inboxes/{inboxId}/messages?page={page}&page_size=100")).Body!;
                total = (int)body["total"]!;
                foreach (var item in body["data"]!.AsArray()) subjects.Add(int.Parse(((string)item!["subject"]!)["crash ".Length..]));
            }
            if (accepted.IsSubsetOf(subjects)) break;
            await Task.Delay(250);
        }
        var missing = accepted.Except(subjects).Order().Take(20).ToList();
        Assert.True(missing.Count == 0, $"{accepted.Count} accepted, {subjects.Count} stored; missing: {string.Join(", ", missing)}");
    }
}
