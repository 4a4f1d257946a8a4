"""A small, honest shell for exec into simulated containers: ``ls cat env hostname ps echo pwd cd exit``,
``wget -qO-``/``curl`` to Services, over the container's files (see ``container_fs``).

It runs what the image has and nothing else: busybox's ``sh`` says ``sh: CMD: not found``, bash says
``bash: CMD: command not found``, an image without ``ps`` has no ``ps``. ``Shell.run_line`` takes one line and
returns what it wrote to stdout and stderr; ``exited`` is set once the shell has left.
"""

from __future__ import annotations

import re
import shlex
import time
from typing import TYPE_CHECKING

from kubetui.sim import shell_net
from kubetui.sim.container_fs import Container

if TYPE_CHECKING:
    from kubetui.sim.store import ObjectStore

_VAR = re.compile(r"\$(\?|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)")
_SEPARATORS = re.compile(r"(;|&&|\|\|)")
SHELL_PID = 7


def _expand(text: str, env: dict[str, str], status: int) -> str:
    """``$VAR``, ``${VAR}`` and ``$?`` replaced outside single quotes."""
    out: list[str] = []
    for i, chunk in enumerate(re.split(r"('[^']*')", text)):
        if i % 2:
            out.append(chunk)
            continue

        def sub(m: re.Match[str]) -> str:
            name = m.group(1).strip("{}")
            return str(status) if name == "?" else env.get(name, "")

        out.append(_VAR.sub(sub, chunk))
    return "".join(out)


def _split_statements(line: str) -> list[tuple[str, str]]:
    """(separator before, statement) pairs, splitting on ``;``, ``&&`` and ``||`` outside quotes."""
    parts: list[tuple[str, str]] = []
    buf, sep, quote, i = "", ";", "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            quote = "" if ch == quote else quote
            buf += ch
        elif ch in "'\"":
            quote = ch
            buf += ch
        else:
            m = _SEPARATORS.match(line, i)
            if m:
                parts.append((sep, buf))
                sep, buf = m.group(1), ""
                i = m.end()
                continue
            buf += ch
        i += 1
    parts.append((sep, buf))
    return [(s, b.strip()) for s, b in parts if b.strip()]


class Shell:
    """One shell process in a container. ``shell`` is the path it was started as (``/bin/sh``, ``bash``)."""

    def __init__(self, store: ObjectStore, container: Container, shell: str, *, tty: bool) -> None:
        self.store, self.c, self.tty = store, container, tty
        self.name = shell.rsplit("/", 1)[-1]
        self.bash = self.name == "bash"
        self.cwd = "/"
        self.env = dict(container.env)
        self.status = 0
        self.exited: int | None = None
        self.depth = 0
        self.lineno = 0

    # -- what the terminal shows ----------------------------------------------------------------------------

    def prompt(self) -> str:
        if self.bash:
            where = "~" if self.cwd == "/root" else self.cwd
            return f"root@{self.c.hostname}:{where}# "
        if self.c.box.gnu:
            return "# "  # debian's /bin/sh is dash
        return f"{self.cwd} # "

    def _not_found(self, cmd: str) -> str:
        if self.bash:
            return f"bash: {cmd}: command not found\n"
        if self.c.box.gnu:
            return f"sh: {self.lineno}: {cmd}: not found\n"
        return f"sh: {cmd}: not found\n"

    # -- running --------------------------------------------------------------------------------------------

    def run_line(self, line: str) -> tuple[str, str]:
        """Runs one input line; returns (stdout, stderr)."""
        self.lineno += 1
        out, err = "", ""
        for sep, stmt in _split_statements(line):
            if self.exited is not None:
                break
            if (sep == "&&" and self.status != 0) or (sep == "||" and self.status == 0):
                continue
            o, e, self.status = self.run_statement(stmt)
            out, err = out + o, err + e
        return out, err

    def run_statement(self, stmt: str) -> tuple[str, str, int]:
        text = _expand(stmt, self.env, self.status)
        try:
            argv = shlex.split(text)
        except ValueError:
            return "", f"{self.name}: syntax error: unterminated quoted string\n", 2
        while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0]):
            key, _, value = argv.pop(0).partition("=")
            self.env[key] = value
        if not argv:
            return "", "", 0
        to_err = argv[-1] in (">&2", "1>&2")
        argv = argv[:-1] if to_err or argv[-1] == "2>&1" else argv
        out, err, code = self.run(argv)
        return ("", out + err, code) if to_err else (out, err, code)

    def run(self, argv: list[str]) -> tuple[str, str, int]:
        """Runs one command (a builtin, or a program the image has)."""
        cmd, args = argv[0], argv[1:]
        base = cmd.rsplit("/", 1)[-1]
        builtin = getattr(self, f"_builtin_{base}", None)
        if builtin is not None and "/" not in cmd:
            result: tuple[str, str, int] = builtin(args)
            return result
        if "/" in cmd and not self._exists(self._abs(cmd)):
            return "", f"{self.name}: {cmd}: not found\n", 127
        if cmd in self.c.box.shells or (base in ("sh", "bash") and self._has_shell(base)):
            self.depth += 1  # a nested shell: the next ``exit`` leaves it, not the session
            return "", "", 0
        tool = getattr(self, f"_tool_{base}", None)
        available = base in self.c.box.tools or (base == "curl" and self.c.box.curl)
        if tool is None or not available:
            return "", self._not_found(cmd), 127
        result = tool(args)
        return result

    def _has_shell(self, name: str) -> bool:
        return any(s.rsplit("/", 1)[-1] == name for s in self.c.box.shells)

    def _abs(self, path: str) -> str:
        if not path.startswith("/"):
            path = self.cwd.rstrip("/") + "/" + path
        parts: list[str] = []
        for p in path.split("/"):
            if p in ("", "."):
                continue
            if p == "..":
                parts = parts[:-1]
            else:
                parts.append(p)
        return "/" + "/".join(parts)

    def _exists(self, path: str) -> bool:
        if path.rsplit("/", 1)[0] in ("/bin", "/usr/bin", "/sbin", "/usr/sbin"):
            name = path.rsplit("/", 1)[-1]
            if name in self.c.box.tools or self._has_shell(name):
                return True
        return path in self.c.files or self.c.is_dir(path)

    # -- shell builtins ---------------------------------------------------------------------------------------

    def _builtin_exit(self, args: list[str]) -> tuple[str, str, int]:
        code = int(args[0]) if args and args[0].lstrip("-").isdigit() else self.status
        if self.depth:
            self.depth -= 1
        else:
            self.exited = code & 0xFF
        return ("exit\n" if self.bash and self.tty else ""), "", code & 0xFF

    def _builtin_cd(self, args: list[str]) -> tuple[str, str, int]:
        path = self._abs(args[0] if args else self.env.get("HOME", "/"))
        if not self.c.is_dir(path):
            if self.bash:
                return "", f"bash: cd: {args[0]}: No such file or directory\n", 1
            return "", f"sh: cd: can't cd to {args[0]}: No such file or directory\n", 2
        self.cwd = path
        self.env["PWD"] = path
        return "", "", 0

    def _builtin_pwd(self, args: list[str]) -> tuple[str, str, int]:
        return self.cwd + "\n", "", 0

    def _builtin_echo(self, args: list[str]) -> tuple[str, str, int]:
        newline = "\n"
        if args and args[0] == "-n":
            args, newline = args[1:], ""
        return " ".join(args) + newline, "", 0

    def _builtin_export(self, args: list[str]) -> tuple[str, str, int]:
        for a in args:
            key, eq, value = a.partition("=")
            if eq:
                self.env[key] = value
        return "", "", 0

    def _builtin_true(self, args: list[str]) -> tuple[str, str, int]:
        return "", "", 0

    def _builtin_false(self, args: list[str]) -> tuple[str, str, int]:
        return "", "", 1

    # -- programs the image may ship --------------------------------------------------------------------------

    def _tool_hostname(self, args: list[str]) -> tuple[str, str, int]:
        if "-i" in args:
            return str((self.c.pod.get("status") or {}).get("podIP") or "") + "\n", "", 0
        return self.c.hostname + "\n", "", 0

    def _tool_env(self, args: list[str]) -> tuple[str, str, int]:
        return "".join(f"{k}={v}\n" for k, v in self.env.items()), "", 0

    def _tool_whoami(self, args: list[str]) -> tuple[str, str, int]:
        return "root\n", "", 0

    def _tool_id(self, args: list[str]) -> tuple[str, str, int]:
        return "uid=0(root) gid=0(root) groups=0(root)\n", "", 0

    def _tool_uname(self, args: list[str]) -> tuple[str, str, int]:
        if "-a" in args:
            return f"Linux {self.c.hostname} 6.8.0-49-generic #49-Ubuntu SMP x86_64 GNU/Linux\n", "", 0
        return "Linux\n", "", 0

    def _tool_date(self, args: list[str]) -> tuple[str, str, int]:
        return time.strftime("%a %b %d %H:%M:%S UTC %Y\n", time.gmtime()), "", 0

    def _tool_sleep(self, args: list[str]) -> tuple[str, str, int]:
        return "", "", 0

    def _tool_true(self, args: list[str]) -> tuple[str, str, int]:
        return "", "", 0

    def _tool_false(self, args: list[str]) -> tuple[str, str, int]:
        return "", "", 1

    def _tool_echo(self, args: list[str]) -> tuple[str, str, int]:
        return self._builtin_echo(args)

    def _tool_pwd(self, args: list[str]) -> tuple[str, str, int]:
        return self._builtin_pwd(args)

    def _tool_cat(self, args: list[str]) -> tuple[str, str, int]:
        out, err, code = "", "", 0
        for name in args:
            path = self._abs(name)
            if path in self.c.files:
                out += self.c.files[path]
            elif self.c.is_dir(path):
                err += (
                    f"cat: {name}: Is a directory\n"
                    if self.c.box.gnu
                    else "cat: read error: Is a directory\n"
                )
                code = 1
            else:
                err += (
                    f"cat: {name}: No such file or directory\n"
                    if self.c.box.gnu
                    else f"cat: can't open '{name}': No such file or directory\n"
                )
                code = 1
        return out, err, code

    def _tool_head(self, args: list[str]) -> tuple[str, str, int]:
        count, names = 10, []
        for a in args:
            if a.startswith("-") and a[1:].lstrip("n").isdigit():
                count = int(a[1:].lstrip("n"))
            else:
                names.append(a)
        out, err, code = self._tool_cat(names)
        return "".join(out.splitlines(keepends=True)[:count]), err, code

    def _tool_ls(self, args: list[str]) -> tuple[str, str, int]:
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        names = [a for a in args if not a.startswith("-")] or ["."]
        out, err, code = "", "", 0
        for name in names:
            path = self._abs(name)
            if path in self.c.files:
                entries = [name]
            elif self.c.is_dir(path):
                entries = self.c.listdir(path)
                if "a" in flags:
                    entries = [".", "..", *entries]
            else:
                msg = "cannot access" if self.c.box.gnu else "can't open"
                err += f"ls: {msg} '{name}': No such file or directory\n"
                code = 2 if self.c.box.gnu else 1
                continue
            if len(names) > 1 and path not in self.c.files:
                out += f"{name}:\n"
            if "l" in flags:
                out += "".join(
                    self._long(path if path in self.c.files else f"{path}/{e}", e) for e in entries
                )
            elif self.tty:
                out += "  ".join(entries) + ("\n" if entries else "")
            else:
                out += "".join(e + "\n" for e in entries)
        return out, err, code

    def _long(self, path: str, shown: str) -> str:
        path = self._abs(path)
        is_dir = shown in (".", "..") or (path not in self.c.files and self.c.is_dir(path))
        mode = (
            "drwxr-xr-x"
            if is_dir
            else ("-rwxr-xr-x" if self.c.files.get(path) == "\x7fELF" else "-rw-r--r--")
        )
        size = 4096 if is_dir else len(self.c.files.get(path, "").encode())
        return f"{mode}    1 root     root      {size:>8} Dec  1 00:00 {shown}\n"

    def _tool_ps(self, args: list[str]) -> tuple[str, str, int]:
        procs = [(1, self.c.pid1())]
        if self.c.box.entrypoint and self.c.box.entrypoint[0].startswith("nginx: master"):
            procs += [(29, "nginx: worker process"), (30, "nginx: worker process")]
        procs += [(SHELL_PID, self.name), (SHELL_PID + 6, "ps" + ("" if not args else " " + " ".join(args)))]
        if self.c.box.gnu:
            tty = "pts/0" if self.tty else "?"
            head = "  PID TTY          TIME CMD\n"
            rows = [
                f"{pid:>5} {'?' if pid == 1 else tty:<8} 00:00:00 {cmd.split()[0].rsplit('/', 1)[-1]}\n"
                for pid, cmd in procs
            ]
            return head + "".join(rows), "", 0
        head = "PID   USER     TIME  COMMAND\n"
        return head + "".join(f"{pid:>5} root      0:00 {cmd}\n" for pid, cmd in procs), "", 0

    def _http(self, args: list[str], which: str) -> tuple[str, str, int]:
        urls = [a for a in args if not a.startswith("-") and a not in ("-", "/dev/stdout")]
        if not urls:
            usage = "wget: missing URL\n" if which == "wget" else "curl: no URL specified\n"
            return "", usage, 1
        fetch = shell_net.wget if which == "wget" else shell_net.curl
        out, err, code = fetch(self.store, self.c.pod, urls[0])
        to_stdout = which == "curl" or any(a in ("-O-", "-qO-", "-O", "-") for a in args)
        if which == "wget" and code == 0 and not to_stdout:
            name = urls[0].rstrip("/").rsplit("/", 1)[-1] if urls[0].count("/") > 2 else "index.html"
            self.c.files[self._abs(name)] = out.decode("utf-8", "replace")
            quiet = any(a.startswith("-q") for a in args)
            return "", "" if quiet else f"saving to '{name}'\n", 0
        return out.decode("utf-8", "replace"), err.decode(), code

    def _tool_wget(self, args: list[str]) -> tuple[str, str, int]:
        return self._http(args, "wget")

    def _tool_curl(self, args: list[str]) -> tuple[str, str, int]:
        return self._http(args, "curl")
