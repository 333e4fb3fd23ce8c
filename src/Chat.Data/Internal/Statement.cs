using System.Text;
using Npgsql;

namespace Chat.Data.Internal;

/// <summary>
/// A SQL template as Npgsql runs it without rewriting it on every call: one command per statement
/// (positional parameters take one statement per command), each with its <c>@name</c> placeholders
/// numbered <c>$1</c>, <c>$2</c>… (a name used twice keeps its number) and the names in that order.
/// Built once per template; the SQL in the source stays readable.
/// </summary>
internal sealed class Statement
{
    private Statement(StatementCommand[] commands) => Commands = commands;

    /// <summary>The statement's commands, in the order they run.</summary>
    public StatementCommand[] Commands { get; }

    /// <summary>
    /// Splits <paramref name="sql"/> at its semicolons and numbers its placeholders. A semicolon or
    /// <c>@</c> inside a string, a quoted name, a dollar-quoted body or a comment is text; so is an
    /// <c>@</c> not followed by a letter or underscore, or after a letter, digit or another <c>@</c>: the
    /// operators <c>@@</c>, <c>@&gt;</c> and <c>&lt;@</c> (which takes a space before a parameter).
    /// </summary>
    public static Statement Parse(string sql)
    {
        var commands = new List<StatementCommand>();
        var text = new StringBuilder(sql.Length);
        var names = new List<string>();
        var hasCode = false;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            int end;
            if (c == '-' && next == '-')
                end = IndexAfter(sql, "\n", i + 2);
            else if (c == '/' && next == '*')
                end = AfterBlockComment(sql, i);
            else if (c == '\'')
                end = AfterQuoted(sql, i, '\'', backslashEscapes: i > 0 && sql[i - 1] is 'E' or 'e' && (i < 2 || !IsWordChar(sql[i - 2])));
            else if (c == '"')
                end = AfterQuoted(sql, i, '"', backslashEscapes: false);
            else if (c == '$' && DollarTag(sql, i) is { } tag)
                end = IndexAfter(sql, tag, i + tag.Length);
            else if (c == ';')
            {
                if (hasCode)
                    commands.Add(new StatementCommand(text.ToString().Trim(), [.. names]));
                text.Clear();
                names.Clear();
                hasCode = false;
                i++;
                continue;
            }
            else if (c == '@' && (i == 0 || !(sql[i - 1] == '@' || IsWordChar(sql[i - 1]))) && (char.IsLetter(next) || next == '_'))
            {
                end = i + 1;
                while (end < sql.Length && IsWordChar(sql[end]))
                    end++;
                var name = sql[(i + 1)..end];
                var index = names.IndexOf(name);
                if (index < 0)
                {
                    names.Add(name);
                    index = names.Count - 1;
                }
                text.Append('$').Append(index + 1);
                hasCode = true;
                i = end;
                continue;
            }
            else
            {
                if (!char.IsWhiteSpace(c))
                    hasCode = true;
                text.Append(c);
                i++;
                continue;
            }
            // A comment, string, quoted name or dollar-quoted body, copied as it is.
            if (c is not '-' and not '/')
                hasCode = true;
            text.Append(sql, i, end - i);
            i = end;
        }
        if (hasCode)
            commands.Add(new StatementCommand(text.ToString().Trim(), [.. names]));
        return new Statement([.. commands]);
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    // The index after the next occurrence of the terminator, or the end of the text.
    private static int IndexAfter(string sql, string terminator, int from)
    {
        var at = sql.IndexOf(terminator, from, StringComparison.Ordinal);
        return at < 0 ? sql.Length : at + terminator.Length;
    }

    // PostgreSQL's block comments nest.
    private static int AfterBlockComment(string sql, int start)
    {
        var depth = 0;
        var i = start;
        while (i < sql.Length - 1)
        {
            if (sql[i] == '/' && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && sql[i + 1] == '/')
            {
                i += 2;
                if (--depth == 0)
                    return i;
            }
            else
            {
                i++;
            }
        }
        return sql.Length;
    }

    // A doubled quote is one quote inside; in an E'' string a backslash escapes the next character.
    private static int AfterQuoted(string sql, int start, char quote, bool backslashEscapes)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
                i += 2;
            else if (sql[i] != quote)
                i++;
            else if (i + 1 < sql.Length && sql[i + 1] == quote)
                i += 2;
            else
                return i + 1;
        }
        return sql.Length;
    }

    // $$ or $tag$ opening a dollar-quoted body; not $1, nor a $ inside a name.
    private static string? DollarTag(string sql, int start)
    {
        if (start > 0 && IsWordChar(sql[start - 1]))
            return null;
        var i = start + 1;
        if (i < sql.Length && char.IsDigit(sql[i]))
            return null;
        while (i < sql.Length && IsWordChar(sql[i]))
            i++;
        return i < sql.Length && sql[i] == '$' ? sql[start..(i + 1)] : null;
    }
}

/// <summary>One statement of a <see cref="Statement"/>: its positional SQL and the parameter names in <c>$</c> order.</summary>
internal sealed class StatementCommand(string sql, string[] names)
{
    public string Sql { get; } = sql;

    public string[] Names { get; } = names;

    /// <summary>Adds one parameter per name, in order, from the properties of <paramref name="param"/>.</summary>
    public void Bind(object? param, NpgsqlParameterCollection parameters)
    {
        if (Names.Length == 0)
            return;
        if (param is null)
            throw new InvalidOperationException($"The statement names @{Names[0]}, but no parameters were given.");
        var binder = ParameterBinder.For(param.GetType());
        foreach (var name in Names)
            parameters.Add(binder.Bind(param, name));
    }
}
