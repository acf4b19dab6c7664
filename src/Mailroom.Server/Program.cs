using Mailroom.Server.Cli;

return await MailroomCommandLine.RunAsync(args, Console.Out);
