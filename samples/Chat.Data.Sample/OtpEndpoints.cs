using Chat.Data.Redis.Otp;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Data.Sample;

/// <summary><c>POST /otp/send</c> and <c>POST /otp/verify</c>, backed by <see cref="IOtpStore"/>.</summary>
internal static class OtpEndpoints
{
    private const string Purpose = "login";

    public static IEndpointRouteBuilder MapOtpEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var otp = endpoints.MapGroup("/otp").WithTags("OTP");
        otp.MapPost("/send", SendAsync);
        otp.MapPost("/verify", VerifyAsync);
        return endpoints;
    }

    internal sealed record SendRequest(string Phone);

    internal sealed record VerifyRequest(string Phone, string Code);

    /// <summary>
    /// A real host hands the code to its SMS provider and never returns it; the sample has no SMS,
    /// so it shows the code in the response to let the flow be tried with curl.
    /// </summary>
    private static async Task<Results<Ok<object>, ProblemHttpResult>> SendAsync(SendRequest request, IOtpStore otp, CancellationToken cancellationToken)
    {
        var result = await otp.IssueAsync(Purpose, request.Phone, cancellationToken);
        return result.IsIssued
            ? TypedResults.Ok<object>(new { status = result.Status, expiresInSeconds = result.ExpiresIn.TotalSeconds, sampleOnlyCode = result.Code })
            : TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: result.Status.ToString(),
                detail: $"Try again in {Math.Ceiling(result.RetryAfter.TotalSeconds)} seconds.");
    }

    private static async Task<Ok<object>> VerifyAsync(VerifyRequest request, IOtpStore otp, CancellationToken cancellationToken) =>
        TypedResults.Ok<object>(new { result = await otp.VerifyAsync(Purpose, request.Phone, request.Code, cancellationToken) });
}
