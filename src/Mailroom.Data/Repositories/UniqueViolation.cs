using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mailroom.Data.Repositories;

/// <summary>Tells a write the database refused for a unique index, and which index, on either provider.</summary>
internal static class UniqueViolation
{
    /// <summary>True when <paramref name="e"/> is a unique violation on a constraint or index whose name or columns mention <paramref name="column"/>.</summary>
    public static bool On(Exception e, string column) => e switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg =>
            (pg.ConstraintName ?? "").Contains(column, StringComparison.Ordinal) || (pg.Detail ?? "").Contains($"({column}", StringComparison.Ordinal),
        // SQLite names the columns: "UNIQUE constraint failed: agents.org_id, agents.handle".
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 } sqlite => sqlite.Message.Contains("." + column, StringComparison.Ordinal),
        _ => false,
    };
}
