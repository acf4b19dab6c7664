using System.Reflection;
using System.Reflection.Emit;

namespace Mailroom.Server.Tests.Architecture;

/// <summary>
/// What compiled code refers to: the types in a type's signatures and every type, method and field its IL names
/// (so a reference written as a relative name, a lambda or a local counts as much as a <c>using</c>), and the
/// string literals an assembly's IL loads.
/// </summary>
public static class TypeReferences
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Every type <paramref name="type"/> names, with generic arguments and element types unfolded.</summary>
    public static IReadOnlySet<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter || !found.Add(t)) return;
            if (t.HasElementType) Add(t.GetElementType());
            if (t.IsGenericType) foreach (var argument in t.GetGenericArguments()) Add(argument);
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var field in type.GetFields(Everything)) Add(field.FieldType);
        foreach (var property in type.GetProperties(Everything)) Add(property.PropertyType);
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info) Add(info.ReturnType);
            foreach (var parameter in method.GetParameters()) Add(parameter.ParameterType);
            var body = method.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var member in MembersIn(method, body.GetILAsByteArray() ?? []))
            {
                switch (member)
                {
                    case Type t: Add(t); break;
                    case FieldInfo f: Add(f.DeclaringType); Add(f.FieldType); break;
                    case MethodBase m:
                        Add(m.DeclaringType);
                        if (m is MethodInfo mi) Add(mi.ReturnType);
                        if (m.IsGenericMethod) foreach (var argument in m.GetGenericArguments()) Add(argument);
                        break;
                }
            }
        }
        return found;
    }

    /// <summary>The string literals loaded by the IL of every method of the assembly.</summary>
    public static IEnumerable<(Type Type, string Literal)> StringLiterals(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method.GetMethodBody()?.GetILAsByteArray() is not { } il) continue;
            foreach (var (opCode, token) in Tokens(il))
                if (opCode.OperandType == OperandType.InlineString)
                    yield return (type, method.Module.ResolveString(token));
        }
    }

    private static IEnumerable<MemberInfo> MembersIn(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var (opCode, token) in Tokens(il))
        {
            if (opCode.OperandType is not (OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)) continue;
            MemberInfo? member;
            try { member = method.Module.ResolveMember(token, typeArguments, methodArguments); }
            catch (ArgumentException) { member = null; }
            if (member is not null) yield return member;
        }
    }

    /// <summary>Each instruction with a metadata token, in order (ECMA-335 III: one- and two-byte opcodes and their operand sizes).</summary>
    private static IEnumerable<(OpCode OpCode, int Token)> Tokens(byte[] il)
    {
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE) value = (short)(0xFE00 | il[position++]);
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + 4 * BitConverter.ToInt32(il, position);
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok
                    or OperandType.InlineString or OperandType.InlineSig:
                    yield return (opCode, BitConverter.ToInt32(il, position));
                    position += 4;
                    break;
                default:
                    position += 4;
                    break;
            }
        }
    }
}
