namespace SharpConv.Imaging;

/// <summary>
/// An image could not be decoded: the file is empty, truncated or corrupt, is not a JPEG, PNG, BMP or GIF file,
/// or declares dimensions over the <see cref="ImageLimits"/> in force. The message names the file and the problem;
/// the decoder's own exception, if any, is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class ImageFormatException : SharpConvException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file name (or a caller-chosen name for in-memory data).</param>
    /// <param name="problem">What is wrong, as a sentence fragment.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public ImageFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The file name (or the name given to in-memory data).</summary>
    public string File { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
