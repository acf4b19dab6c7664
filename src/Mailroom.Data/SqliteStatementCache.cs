using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Mailroom.Data;

/// <summary>
/// The statements one SQLite transaction runs, each prepared once: a group commit runs the same few INSERTs for every
/// message in it, an automation batch the same reads and writes for every job, and a command made anew per call (as Dapper makes them) is parsed and its parameters looked up by
/// name every time. Arguments are bound by name with the <c>@</c> the SQL uses. Arguments this binder does not handle
/// (lists to expand, Dapper parameter objects) are left to Dapper: <see cref="TryExecute"/> returns false.
/// </summary>
internal sealed class SqliteStatementCache(SqliteTransaction transaction) : IDisposable
{
    private static readonly ConcurrentDictionary<Type, Func<object, KeyValuePair<string, object?>[]>?> Readers = new();
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public bool TryExecute(string sql, object? args, out int affected)
    {
        affected = 0;
        if (Bound(sql, args) is not { } command) return false;
        affected = command.ExecuteNonQuery();
        return true;
    }

    /// <summary>A query, its rows read whole (mapped as Dapper maps them) before the statement is used again.</summary>
    public bool TryQuery<T>(string sql, object? args, out List<T> rows)
    {
        rows = [];
        if (Bound(sql, args) is not { } command) return false;
        using var reader = command.ExecuteReader();
        rows = reader.Parse<T>().ToList();
        return true;
    }

    /// <summary>The statement for <paramref name="sql"/>, prepared once, with the arguments bound; null when they cannot be.</summary>
    private SqliteCommand? Bound(string sql, object? args)
    {
        var values = args switch
        {
            null => [],
            IEnumerable<KeyValuePair<string, object?>> pairs => pairs.ToArray(),
            _ => Readers.GetOrAdd(args.GetType(), ReaderFor) is { } read ? read(args) : null,
        };
        if (values is null || !values.All(v => IsScalar(v.Value))) return null;

        if (!_commands.TryGetValue(sql, out var command))
        {
            command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            _commands[sql] = command;
        }
        var parameters = command.Parameters;
        if (parameters.Count != values.Length || !values.Select((v, i) => parameters[i].ParameterName.AsSpan(1).SequenceEqual(v.Key)).All(same => same))
        {
            parameters.Clear();
            foreach (var (name, _) in values) parameters.Add(new SqliteParameter("@" + name, null));
            command.Prepare();
        }
        for (var i = 0; i < values.Length; i++) parameters[i].Value = Bindable(values[i].Value);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
    }

    private static bool IsScalar(object? value) => value is null or string or byte[] || value.GetType().IsValueType;

    private static object Bindable(object? value) => value switch
    {
        null => DBNull.Value,
        Enum e => Convert.ToInt64(e),
        _ => value,
    };

    /// <summary>Reads the public properties of an argument object (anonymous types, rows) with a compiled delegate.</summary>
    private static Func<object, KeyValuePair<string, object?>[]>? ReaderFor(Type type)
    {
        if (typeof(IEnumerable).IsAssignableFrom(type) && type != typeof(string)) return null;
        var properties = type.GetProperties().Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        var instance = Expression.Parameter(typeof(object));
        var typed = Expression.Convert(instance, type);
        var pair = typeof(KeyValuePair<string, object?>).GetConstructor([typeof(string), typeof(object)])!;
        var body = Expression.NewArrayInit(typeof(KeyValuePair<string, object?>), properties.Select(p =>
            Expression.New(pair, Expression.Constant(p.Name), Expression.Convert(Expression.Property(typed, p), typeof(object)))));
        return Expression.Lambda<Func<object, KeyValuePair<string, object?>[]>>(body, instance).Compile();
    }
}
