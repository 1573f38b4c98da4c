_keep = frozenset(globals())
def _zygote(keep):
    # CodeMentor's Python zygote (see the sandbox helper's zygote.go):
    # started once per box as `python3 <the run's options> -c <this>`, it
    # loads no code of the learner's and, for each run, forks a process that
    # runs the program as `python3 <options> main.py args` (or `-c code
    # args`) would: sys.argv, sys.orig_argv, sys.path[0], sys.modules,
    # __main__ and the top-level handling of exceptions and exits are those
    # of a fresh interpreter.
    import sys
    base = frozenset(sys.modules)
    import posix, _signal, _socket
    sys.path.pop(0)  # '' for -c: nothing of the work dir is cached
    finders = frozenset(sys.path_importer_cache)
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    # Not dumpable: the runs (same uid) can neither ptrace the zygote nor
    # open its memory or descriptors through /proc.
    if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")
    # Every signal a run may send the zygote stays pending, unseen; the
    # runs' own are cleared by fork.
    _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals())
    sock = _socket.socket(fileno=3)

    def flush_io():
        # Before the interpreter reports how the program ended.
        for f in (getattr(sys, "stderr", None), getattr(sys, "stdout", None)):
            try:
                f.flush()
            except BaseException:
                pass

    def exit_status(code):
        # SystemExit's code as the interpreter turns it into an exit status.
        if code is None:
            return 0
        if isinstance(code, int):
            return code if -(1 << 31) <= code < 1 << 31 else -1
        try:
            sys.stderr.write(str(code) + "\n")
        except BaseException:
            pass
        return 1

    def flush_std():
        # Py_FinalizeEx's flush of sys.stdout and sys.stderr: False if stdout's
        # failed (the exit status is then 120).
        ok = True
        for f in (getattr(sys, "stdout", None), getattr(sys, "stderr", None)):
            if f is None:
                continue
            try:
                if f.closed:
                    continue
            except BaseException:
                pass
            try:
                f.flush()
            except BaseException as e:
                if f is getattr(sys, "stderr", None):
                    continue
                ok = False
                try:
                    kind = type(e).__qualname__
                    if type(e).__module__ not in ("builtins", "__main__"):
                        kind = type(e).__module__ + "." + kind
                    sys.stderr.write("Exception ignored in: %r\n%s%s\n" % (f, kind, ": %s" % e if str(e) else ""))
                except BaseException:
                    pass
        return ok

    def finalize(status, killed):
        # What Py_FinalizeEx does that a program can see: non-daemon threads
        # joined, atexit functions, sys.stdout and sys.stderr flushed, the
        # program's modules cleared (its objects finalized, its files flushed and
        # closed), its cycles collected. The zygote's own objects, shared with
        # every run, are not torn down: that would copy every page of them.
        threading = sys.modules.get("threading")
        if threading is not None:
            try:
                threading._shutdown()
            except BaseException:
                pass
        import atexit
        atexit._run_exitfuncs()
        if not flush_std():
            status = 120
        for name, module in reversed(list(sys.modules.items())):
            if name in base and name != "__main__":
                continue
            d = getattr(module, "__dict__", None)
            if type(d) is not dict:
                continue
            # As _PyModule_ClearDict: names with one leading underscore first,
            # then the others but __builtins__.
            for first in (True, False):
                for k in list(d):
                    if type(k) is str and k != "__builtins__" and (k.startswith("_") and not k.startswith("__")) == first:
                        try:
                            d[k] = None
                        except BaseException:
                            pass
        gc.collect()
        flush_std()
        if killed:
            _signal.signal(killed, _signal.SIG_DFL)
            posix.kill(posix.getpid(), killed)
        posix._exit(status & 0xFF)

    # What the zygote made is never collected in a run, which would copy
    # every page of it (the runs' own objects are).
    import gc
    gc.freeze()
    sock.send(b"ready")
    while True:
        try:
            data, anc, flags, _ = sock.recvmsg(65536, _socket.CMSG_SPACE(16))
        except InterruptedError:
            continue
        if not data:
            posix._exit(0)
        fds = []
        for level, kind, d in anc:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                fds += [int.from_bytes(d[i:i + 4], sys.byteorder) for i in range(0, len(d) - 3, 4)]
        said = b"error: bad request"
        if len(fds) == 4 and not flags & _socket.MSG_CTRUNC:
            # The run's process is the child of a child that exits at once:
            # the helper's child, once the zygote has reaped its parent.
            r = w = -1
            try:
                r, w = posix.pipe()
                a = posix.fork()
            except OSError as e:
                a, said = -1, b"error: fork: %s" % str(e).encode()
                for fd in (r, w):
                    if fd >= 0:
                        posix.close(fd)
            if a == 0:
                try:
                    b = posix.fork()
                except BaseException:
                    posix._exit(1)
                if b != 0:
                    posix.write(w, b"%d" % b)
                    posix._exit(0)
                break
            if a > 0:
                posix.close(w)
                posix.waitpid(a, 0)
                said = b"pid " + posix.read(r, 32)
                posix.close(r)
        for fd in fds:
            posix.close(fd)
        sock.send(said)
    argv = data.decode("utf-8", "surrogateescape").split("\0")
    stdin, stdout, stderr, go = fds
    posix.dup2(stdin, 0)
    posix.dup2(stdout, 1)
    posix.dup2(stderr, 2)
    while True:
        try:
            g = posix.read(go, 1)
            break
        except InterruptedError:
            pass
    if g != b"g":
        posix._exit(125)
    sock.detach()
    posix.closerange(3, 1 << 30)
    libc.prctl(4, 1, 0, 0, 0)
    _signal.pthread_sigmask(_signal.SIG_SETMASK, ())
    # The interpreter as `python3 <options> main.py args` leaves it.
    i = 1
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "-c":
        i += 1
    for name in list(sys.path_importer_cache):
        if name not in finders:
            del sys.path_importer_cache[name]
    sys.orig_argv = argv
    if argv[i] == "-c":
        path, source = "<string>", argv[i + 1].encode("utf-8", "surrogateescape")
        sys.argv = ["-c"] + argv[i + 2:]
        sys.path.insert(0, "")
    else:
        path, source = argv[i], None
        if not path.startswith("/"):
            path = posix.getcwd().rstrip("/") + "/" + path
        sys.argv = argv[i:]
        sys.path.insert(0, path.rpartition("/")[0] or "/")
        sys.path_importer_cache[path] = None
    for name in list(sys.modules):
        if name not in base:
            del sys.modules[name]
    g = sys.modules["__main__"].__dict__
    for name in list(g):
        if name not in keep:
            del g[name]
    if source is None:
        g["__loader__"] = sys.modules["_frozen_importlib_external"].SourceFileLoader("__main__", path)
        g["__file__"] = path
        g["__cached__"] = None
    try:
        if source is None:
            fd = posix.open(path, posix.O_RDONLY | posix.O_CLOEXEC)
            try:
                chunks = []
                while True:
                    c = posix.read(fd, 1 << 20)
                    if not c:
                        break
                    chunks.append(c)
            finally:
                posix.close(fd)
            source = b"".join(chunks)
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, g)
        status, killed = 0, 0
    except SystemExit as e:
        flush_io()
        status, killed = exit_status(e.code), 0
    except BaseException as e:
        flush_io()
        tb = e.__traceback__.tb_next  # from the program's frame on
        e.__traceback__ = tb
        sys.last_type, sys.last_value, sys.last_traceback = type(e), e, tb
        try:
            sys.excepthook(type(e), e, tb)
        except BaseException as hook:
            sys.__excepthook__(type(hook), hook, hook.__traceback__)
        status, killed = 1, 0
        if isinstance(e, KeyboardInterrupt):
            # As the interpreter does: killed by SIGINT once finalized.
            killed = _signal.SIGINT
        del e
    finalize(status, killed)

_zygote(_keep)
