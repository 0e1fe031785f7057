using System.Text;

namespace Broker.Protocol.Generator;

/// <summary>StringBuilder with indentation, so emitters read like the code they write.</summary>
internal sealed class CodeBuilder
{
    private readonly StringBuilder _text = new StringBuilder();
    private int _indent;

    public CodeBuilder Line(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    public CodeBuilder Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    public CodeBuilder Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public override string ToString() => _text.ToString();
}
