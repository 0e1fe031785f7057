namespace Broker.Log;

/// <summary>Binary search over index entries ordered by a key.</summary>
internal static class IndexSearch
{
    /// <summary>The last entry whose key is at most <paramref name="target"/>, or -1 when all are greater.</summary>
    public static int Floor<T>(ReadOnlySpan<T> entries, long target, Func<T, long> key)
    {
        int lo = 0, hi = entries.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (key(entries[mid]) <= target)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }
}
