namespace Mailroom.Data.Repositories;

/// <summary>
/// Work queues lease rows to a process under its <see cref="LeaseOwner"/> name. A node that starts again after dying
/// takes back what its previous processes held, instead of waiting for those leases to run out.
/// </summary>
public sealed class LeaseRecovery(MailroomDatabase db)
{
    /// <summary>
    /// Frees every lease held by an earlier process of <paramref name="owner"/>'s node: names made by
    /// <see cref="LeaseOwner.ForProcess"/> for that node (its prefix and exactly its length, so node <c>a</c> never frees
    /// what node <c>a/b</c> holds), and the bare node id that versions before per-process owners leased under.
    /// </summary>
    public async Task<int> ReleaseEarlierProcessesAsync(LeaseOwner owner, CancellationToken ct = default)
    {
        var prefix = owner.Node + LeaseOwner.Separator;
        var args = new { node = owner.Node, prefix, length = prefix.Length + LeaseOwner.ProcessPartLength, current = owner.Name };
        var released = 0;
        foreach (var table in WorkQueues.All)
            released += await db.ExecuteAsync(
                $"UPDATE {table} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner <> @current AND (lease_owner = @node OR " +
                "(substr(lease_owner, 1, length(@prefix)) = @prefix AND length(lease_owner) = @length))", args, ct);
        return released;
    }
}

/// <summary>
/// The name this process leases work-queue rows under: its node id, a slash and a random part drawn at start. The random
/// part keeps two processes from ever sharing an owner by accident (an admin command next to a server, two servers).
/// </summary>
public sealed record LeaseOwner(string Node, string Name)
{
    public const string Separator = "/";
    public const int ProcessPartLength = 16;

    public static LeaseOwner ForProcess(string node)
    {
        var processPart = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(ProcessPartLength / 2));
        return new LeaseOwner(node, node + Separator + processPart);
    }
}
