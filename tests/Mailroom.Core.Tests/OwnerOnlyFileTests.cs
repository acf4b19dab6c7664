using Mailroom.Core.Security;

namespace Mailroom.Core.Tests;

public sealed class OwnerOnlyFileTests
{
    [Fact]
    public void Many_starters_creating_one_key_file_at_once_all_read_the_same_whole_key()
    {
        for (var round = 0; round < 20; round++)
        {
            var folder = Path.Combine(Path.GetTempPath(), "mailroom-key-" + Guid.NewGuid().ToString("N"));
            var path = Path.Combine(folder, "master.key");
            try
            {
                using var start = new Barrier(16);
                var keys = new byte[16][];
                var threads = Enumerable.Range(0, 16).Select(i => new Thread(() =>
                {
                    start.SignalAndWait();
                    keys[i] = MasterKeyFile.LoadOrCreate(path);
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());

                Assert.All(keys, key => Assert.Equal(keys[0], key));
                Assert.Equal(keys[0], Convert.FromBase64String(File.ReadAllText(path)));
                Assert.Equal(["master.key"], Directory.GetFiles(folder).Select(Path.GetFileName));
                if (!OperatingSystem.IsWindows())
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
