using Microsoft.Win32.SafeHandles;

namespace Broker.Log;

/// <summary>Loops over <see cref="RandomAccess"/>, which may return fewer bytes than asked for.</summary>
internal static class FileIo
{
    /// <summary>Fills <paramref name="destination"/> or stops at end of file; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle file, Span<byte> destination, long position) =>
        ReadAtLeast(file, destination, position, destination.Length);

    public static int ReadAtLeast(SafeFileHandle file, Span<byte> destination, long position, int minimum)
    {
        var total = 0;
        while (total < minimum)
        {
            var n = RandomAccess.Read(file, destination[total..], position + total);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    public static SafeFileHandle OpenReadWrite(string path, FileMode mode) =>
        // Delete sharing lets a segment be renamed to .deleted while fetches still read it.
        File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
}
