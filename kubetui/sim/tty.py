"""The terminal line discipline of a simulated container's tty: echo, erase, ^C, ^D, ^U, ^L, and escape keys.

A real shell reads its input through the kernel's tty (canonical mode, echo on), so what the user types comes
back to their screen before the shell sees a whole line. ``LineDiscipline.feed`` takes the typed characters;
``take`` returns what happened since, in order: ("echo", text), ("line", text), ("interrupt", ""), ("eof", "").
Without a tty (``echo=False``) lines are split on newlines only and nothing is echoed.
"""

from __future__ import annotations


class LineDiscipline:
    def __init__(self, *, echo: bool) -> None:
        self.echo = echo
        self.buf = ""
        self._events: list[tuple[str, str]] = []
        self._escape = ""  # the escape sequence being skipped (arrow keys and the like)

    def feed(self, text: str) -> None:
        for ch in text:
            self._char(ch)

    def feed_eof(self) -> None:
        if self.buf:
            self._events.append(("line", self.buf))
            self.buf = ""
        self._events.append(("eof", ""))

    def take(self) -> list[tuple[str, str]]:
        events, self._events = self._events, []
        return events

    def _out(self, text: str) -> None:
        if self.echo and text:
            if self._events and self._events[-1][0] == "echo":
                self._events[-1] = ("echo", self._events[-1][1] + text)
            else:
                self._events.append(("echo", text))

    def _char(self, ch: str) -> None:
        if not self.echo:
            if ch == "\n":
                self._events.append(("line", self.buf))
                self.buf = ""
            else:
                self.buf += ch
            return
        if self._escape:
            self._escape += ch
            if (len(self._escape) > 1 and (ch.isalpha() or ch == "~") and self._escape != "\x1b[") or len(
                self._escape
            ) > 8:
                self._escape = ""
            return
        if ch == "\x1b":
            self._escape = ch
        elif ch in "\r\n":
            self._out("\n")
            self._events.append(("line", self.buf))
            self.buf = ""
        elif ch in "\x7f\b":
            if self.buf:
                self.buf = self.buf[:-1]
                self._out("\b \b")
        elif ch == "\x03":
            self._out("^C\n")
            self.buf = ""
            self._events.append(("interrupt", ""))
        elif ch == "\x04":
            if not self.buf:
                self._events.append(("eof", ""))
        elif ch == "\x15":
            self._out("\b \b" * len(self.buf))
            self.buf = ""
        elif ch == "\x0c":
            self._out("\x1b[H\x1b[2J")
            self._events.append(("interrupt", ""))
        elif ch == "\t" or ord(ch) < 32:
            pass
        else:
            self.buf += ch
            self._out(ch)
