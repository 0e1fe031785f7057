using Broker.Config;

namespace Broker.Broker.Tests.Config;

public class JavaPropertiesTests
{
    [Theory]
    [InlineData("a=b", "b")]
    [InlineData("a: b", "b")]
    [InlineData("a b", "b")]
    [InlineData("  a  =  b  ", "b  ")]
    [InlineData("a\t:\tb", "b")]
    [InlineData("a=", "")]
    [InlineData("a", "")]
    [InlineData("a==b", "=b")]
    [InlineData("a = b = c", "b = c")]
    public void Separators_and_whitespace_follow_java(string line, string expected)
    {
        var properties = JavaProperties.Parse(line);
        Assert.Equal(expected, properties["a"]);
    }

    [Fact]
    public void Comments_and_blank_lines_are_skipped()
    {
        var properties = JavaProperties.Parse("# comment\n! also a comment\n   # indented comment\n\n   \nkey=value\n");
        Assert.Equal(["key"], properties.Keys);
    }

    [Fact]
    public void Hash_inside_a_value_is_not_a_comment()
    {
        Assert.Equal("a#b", JavaProperties.Parse("k=a#b")["k"]);
    }

    [Fact]
    public void Backslash_continues_the_line_and_drops_leading_whitespace_of_the_next()
    {
        var properties = JavaProperties.Parse("listeners=PLAINTEXT://:9092,\\\n    CONTROLLER://:9093\nnext=1");
        Assert.Equal("PLAINTEXT://:9092,CONTROLLER://:9093", properties["listeners"]);
        Assert.Equal("1", properties["next"]);
    }

    [Fact]
    public void Continuation_works_across_crlf_and_cr_line_ends()
    {
        Assert.Equal("ab", JavaProperties.Parse("k=a\\\r\n  b\r\nx=y")["k"]);
        Assert.Equal("ab", JavaProperties.Parse("k=a\\\r  b\rx=y")["k"]);
        Assert.Equal("y", JavaProperties.Parse("k=a\\\r  b\rx=y")["x"]);
    }

    [Fact]
    public void Even_number_of_trailing_backslashes_is_an_escaped_backslash_not_a_continuation()
    {
        var properties = JavaProperties.Parse("path=C:\\\\dir\\\\\nnext=1");
        Assert.Equal("C:\\dir\\", properties["path"]);
        Assert.Equal("1", properties["next"]);
    }

    [Fact]
    public void Comment_line_ending_in_backslash_does_not_swallow_the_next_line()
    {
        var properties = JavaProperties.Parse("# comment \\\nkey=value");
        Assert.Equal("value", properties["key"]);
    }

    [Fact]
    public void Continuation_on_the_last_line_ends_the_value()
    {
        Assert.Equal("abc", JavaProperties.Parse("k=abc\\")["k"]);
    }

    [Fact]
    public void Escapes_are_decoded_in_keys_and_values()
    {
        var properties = JavaProperties.Parse("my\\ key\\=x\\:y=tab\\there\\nnew \\u0041\\u00e9 \\q");
        var (key, value) = Assert.Single(properties);
        Assert.Equal("my key=x:y", key);
        Assert.Equal("tab\there\nnew Aé q", value);
    }

    [Fact]
    public void Malformed_unicode_escape_is_an_error_with_the_line()
    {
        var error = Assert.Throws<FormatException>(() => JavaProperties.Parse("a=1\nb=\\u00g1"));
        Assert.Contains("line 2", error.Message);
        Assert.Throws<FormatException>(() => JavaProperties.Parse("b=\\u00"));
    }

    [Fact]
    public void Last_duplicate_wins()
    {
        Assert.Equal("2", JavaProperties.Parse("k=1\nk=2")["k"]);
    }

    [Fact]
    public void Written_text_reads_back_identically()
    {
        var entries = new Dictionary<string, string>
        {
            ["plain"] = "value",
            ["with space"] = " leading space and = : # ! \\ \t\n",
            ["empty"] = "",
        };
        var text = JavaProperties.Write(entries, comment: "", DateTimeOffset.UnixEpoch);
        Assert.Equal(entries.OrderBy(e => e.Key), JavaProperties.Parse(text).OrderBy(e => e.Key));
    }

    [Fact]
    public void Written_header_is_an_empty_comment_then_java_date()
    {
        var text = JavaProperties.Write([new("k", "v")], comment: "", new DateTimeOffset(2024, 3, 14, 10, 22, 33, TimeSpan.Zero));
        Assert.Equal("#\n#Thu Mar 14 10:22:33 UTC 2024\nk=v\n", text);
    }
}
