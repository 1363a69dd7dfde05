using Microsoft.Extensions.Hosting;

namespace InterimPlatform.Tests.Unit.Http;

/// <summary>A query-string or route value that cannot be bound is named by its parameter, in the caller's words.</summary>
public sealed class ParameterErrorTests
{
    [Theory]
    [InlineData("""Failed to bind parameter "DateTimeOffset from" from "yesterday".""", "from", "Must be a date and time like 2027-02-08T09:30:00Z.")]
    [InlineData("""Failed to bind parameter "int? take" from "many".""", "take", "Must be a whole number.")]
    [InlineData("""Failed to bind parameter "Guid id" from "x".""", "id", "Must be an id like 3f2504e0-4f89-41d3-9a0c-0305e82c3301.")]
    [InlineData("""Required parameter "string ground" was not provided from query string.""", "ground", "Is required.")]
    public void The_framework_message_becomes_an_error_at_the_parameter(string message, string name, string error)
    {
        var problem = BadRequestExceptionHandler.DescribeParameter(message)!;

        Assert.Equal([error], problem.Errors[name]);
        Assert.DoesNotContain("System.", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_other_message_is_left_as_it_is() =>
        Assert.Null(BadRequestExceptionHandler.DescribeParameter("Request body too large."));
}
