// The engine relies on POSIX process groups, signals and setsid/setpriv: it runs on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
