using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Linq.Expressions;
using System.Reflection;
using Npgsql;

namespace Chat.Data.Internal;

/// <summary>
/// Makes the parameters of a statement from the properties of an object (an anonymous one, most
/// often), matched to the statement's names ignoring case. One compiled getter per property, built
/// once per type. A parameter takes the property's declared type, so a null keeps its type: a
/// <c>Guid?</c> is a uuid NULL. An array, string or value type is bound as such; any other type
/// (<c>object</c>, a list, an interface) by the value it holds.
/// </summary>
internal sealed class ParameterBinder
{
    private static readonly ConcurrentDictionary<Type, ParameterBinder> ByType = new();

    private static readonly MethodInfo TypedMethod = typeof(ParameterBinder).GetMethod(nameof(Typed), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo UntypedMethod = typeof(ParameterBinder).GetMethod(nameof(Untyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Type _type;
    private readonly FrozenDictionary<string, Func<object, NpgsqlParameter>> _properties;

    private ParameterBinder(Type type)
    {
        _type = type;
        _properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .ToFrozenDictionary(p => p.Name, Getter, StringComparer.OrdinalIgnoreCase);
    }

    public static ParameterBinder For(Type type) => ByType.GetOrAdd(type, static t => new ParameterBinder(t));

    /// <summary>The parameter for <paramref name="name"/>; a name with no property is a bug in the statement's caller.</summary>
    public NpgsqlParameter Bind(object param, string name) =>
        _properties.TryGetValue(name, out var getter)
            ? getter(param)
            : throw new InvalidOperationException($"The statement names @{name}, but {_type.Name} has no property {name}.");

    // (object param) => Typed<TProperty>(((TParam)param).Property), or Untyped((object)...).
    private static Func<object, NpgsqlParameter> Getter(PropertyInfo property)
    {
        var type = property.PropertyType;
        if (type.IsEnum || Nullable.GetUnderlyingType(type) is { IsEnum: true })
            return _ => throw new NotSupportedException($"{property.DeclaringType?.Name}.{property.Name} is an enum; pass its column text or number.");
        var param = Expression.Parameter(typeof(object), "param");
        var value = Expression.Property(Expression.Convert(param, property.DeclaringType!), property);
        var bound = type.IsValueType || type.IsArray || type == typeof(string)
            ? Expression.Call(TypedMethod.MakeGenericMethod(type), value)
            : Expression.Call(UntypedMethod, Expression.Convert(value, typeof(object)));
        return Expression.Lambda<Func<object, NpgsqlParameter>>(bound, param).Compile();
    }

    private static NpgsqlParameter Typed<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    private static NpgsqlParameter Untyped(object? value) => new() { Value = value ?? DBNull.Value };
}
