namespace Factory.Grains.Runs;

// Cancelling and feedback are not part of this build: these members answer NotSupportedException.
public sealed partial class RunGrain
{
    /// <inheritdoc/>
    public Task<RunSnapshot> CancelAsync(string reason) => throw new NotSupportedException("Cancelling a run is not available in this build.");

    /// <inheritdoc/>
    public Task<long> SubmitFeedbackAsync(Feedback feedback) => throw new NotSupportedException("Feedback is not available in this build.");
}
