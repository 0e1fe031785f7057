// Entry point of the broker executable; the host is built in later commits.
Console.WriteLine("broker: not yet implemented");
return 1;
