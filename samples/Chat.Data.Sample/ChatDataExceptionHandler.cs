using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Chat.Data.Sample;

/// <summary>Turns Chat.Data's typed errors into problem details, so endpoints need no try/catch.</summary>
internal sealed class ChatDataExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ChatDataValidationException e => Problem(StatusCodes.Status400BadRequest, "Invalid input", e.Reason, e.Field),
            DuplicateException e => Problem(StatusCodes.Status409Conflict, "Already taken", e.Message, e.Field),
            ReferenceNotFoundException e => Problem(StatusCodes.Status422UnprocessableEntity, "Unknown reference", e.Message, e.Field),
            NotAMemberException e => Problem(StatusCodes.Status403Forbidden, "Not a member", e.Message, null),
            NotPermittedException e => Problem(StatusCodes.Status403Forbidden, "Not permitted", e.Message, null),
            MemberLimitException e => Problem(StatusCodes.Status409Conflict, "Chat is full", e.Message, null),
            DocumentLockedException e => Problem(StatusCodes.Status409Conflict, "Document locked", e.Message, null),
            BlockedException e => Problem(StatusCodes.Status403Forbidden, "Blocked", e.Message, null),
            MessageRequestRequiredException e => Problem(StatusCodes.Status403Forbidden, "Message request required", e.Message, null),
            AttachmentLimitException e => Problem(StatusCodes.Status409Conflict, "Attachment limit", e.Message, null),
            // The message may describe the database; the client only needs to know to retry.
            ChatDataException { IsTransient: true } => Problem(StatusCodes.Status503ServiceUnavailable, "Database unavailable", "The database is busy or unreachable; retry shortly.", null),
            _ => null,
        };
        if (problem is null)
            return false;

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Problem(int status, string title, string detail, string? field)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        // Named as in the JSON the client sent: "Phone" is "phone" there.
        if (field is not null)
            problem.Extensions["field"] = JsonNamingPolicy.CamelCase.ConvertName(field);
        return problem;
    }
}
