using LinqToDB.DataProvider.AuroraDsql;

using Microsoft.AspNetCore.Diagnostics;

namespace PetClinic.Api;

/// <summary>
/// Answers a request whose transaction kept conflicting after its retries (<see cref="AuroraDsqlRetryLimitExceededException"/>)
/// or conflicted outside <c>InTransactionAsync</c> with <c>409 Conflict</c> and <c>Retry-After</c>, instead of a 500: the
/// client may send it again.
/// </summary>
public sealed class ConflictResponses(IProblemDetailsService problems) : IExceptionHandler
{
	public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
	{
		if (exception is not AuroraDsqlRetryLimitExceededException && !AuroraDsqlErrors.IsOptimisticConcurrencyConflict(exception))
			return false;

		httpContext.Response.StatusCode = StatusCodes.Status409Conflict;
		httpContext.Response.Headers.RetryAfter = "1";

		return await problems.TryWriteAsync(new ProblemDetailsContext
		{
			HttpContext = httpContext,
			Exception   = exception,
			ProblemDetails =
			{
				Status = StatusCodes.Status409Conflict,
				Title  = "The change conflicted with concurrent changes",
				Detail = "Other requests changed the same data at the same time, also when it was tried again. Send the request again.",
			},
		});
	}
}
