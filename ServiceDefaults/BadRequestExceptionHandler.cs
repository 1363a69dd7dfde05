using System.Text.Json;
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
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
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
            ProblemDetails = badRequest.InnerException is JsonException json ? DescribeBody(httpContext, json) : new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
                Detail = badRequest.Message,
            },
        });
    }

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
