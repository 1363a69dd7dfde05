using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Answers a request the framework could not read with a 4xx problem that says why, instead of a 500. A JSON
/// body that does not fit the endpoint's type is a validation problem naming every bad field by its path in
/// the caller's words (<see cref="JsonFieldErrors"/>), the same shape as the services' own validation errors;
/// text that is not JSON is one error with its line and position. No .NET type name reaches the caller.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    internal const string InvalidBodyTitle = "The request body has fields that are not valid.";
    internal const string MalformedBodyTitle = "The request body is not valid JSON.";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = badRequest.InnerException is JsonException json ? DescribeBody(httpContext, json)
                : DescribeParameter(badRequest.Message) is { } parameter ? parameter
                : new ProblemDetails
                {
                    Status = badRequest.StatusCode,
                    Title = "The request could not be read.",
                    Detail = badRequest.Message,
                },
        });
    }

    /// <summary>
    /// A query-string, route or header value the framework could not bind: its message names the .NET type
    /// (<c>Failed to bind parameter "DateTimeOffset from" from "x".</c>), so the caller gets the parameter's
    /// name and what it must look like instead.
    /// </summary>
    internal static HttpValidationProblemDetails? DescribeParameter(string message)
    {
        string name, error;
        if (FailedToBind().Match(message) is { Success: true } failed)
        {
            name = failed.Groups["name"].Value;
            error = Words.TryGetValue(failed.Groups["type"].Value.TrimEnd('?').TrimEnd(']').TrimEnd('['), out var type)
                ? $"Must be {(failed.Groups["type"].Value.EndsWith("[]", StringComparison.Ordinal) ? "a list of values, each " : "")}{JsonFieldErrors.Scalar(type)}."
                : "Is not a valid value here.";
        }
        else if (NotProvided().Match(message) is { Success: true } missing)
        {
            name = missing.Groups["name"].Value;
            error = "Is required.";
        }
        else
        {
            return null;
        }

        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [name] = [error] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has parameters that are not valid.",
            Detail = $"The value of \"{name}\" could not be read. Nothing was changed.",
        };
    }

    private static readonly Dictionary<string, Type> Words = new(StringComparer.Ordinal)
    {
        ["string"] = typeof(string), ["bool"] = typeof(bool), ["Boolean"] = typeof(bool),
        ["int"] = typeof(int), ["Int32"] = typeof(int), ["long"] = typeof(long), ["Int64"] = typeof(long), ["short"] = typeof(short), ["Int16"] = typeof(short),
        ["uint"] = typeof(uint), ["ulong"] = typeof(ulong), ["byte"] = typeof(byte),
        ["decimal"] = typeof(decimal), ["Decimal"] = typeof(decimal), ["double"] = typeof(double), ["Double"] = typeof(double), ["float"] = typeof(float), ["Single"] = typeof(float),
        ["DateOnly"] = typeof(DateOnly), ["DateTime"] = typeof(DateTime), ["DateTimeOffset"] = typeof(DateTimeOffset), ["TimeOnly"] = typeof(TimeOnly), ["TimeSpan"] = typeof(TimeSpan),
        ["Guid"] = typeof(Guid),
    };

    [GeneratedRegex("""^Failed to bind parameter "(?<type>[^"]+) (?<name>[^" ]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""^Required parameter "(?<type>[^"]+) (?<name>[^" ]+)" was not provided""", RegexOptions.Singleline)]
    private static partial Regex NotProvided();

    private static HttpValidationProblemDetails DescribeBody(HttpContext httpContext, JsonException exception)
    {
        // The guard kept the body; without it (an endpoint it did not see) the reader's own path is all there is.
        var found = httpContext.Features.Get<JsonRequestBody>()?.FindErrors();
        if (found?.Malformed is { } malformed || (found is null && exception.Path is null))
        {
            var detail = found?.Malformed ?? JsonFieldErrors.DescribeMalformed(exception);
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [JsonFieldErrors.DocumentPath] = [detail] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = MalformedBodyTitle,
                Detail = detail,
            };
        }

        var errors = found is { Errors.Count: > 0 }
            ? found.Errors
            // Reading failed where the walk saw nothing (a converter's own rule): still the field, never the type.
            : new Dictionary<string, string[]> { [JsonFieldErrors.PathOf(exception.Path)] = ["Is not a valid value here."] };
        return new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = InvalidBodyTitle,
            Detail = "Nothing was changed.",
        };
    }
}
