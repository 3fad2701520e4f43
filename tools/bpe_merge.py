"""The one BPE step the tokenizer tools share: merge every adjacent (a, b) in a symbol list."""


def merge_pair(symbols, a, b):
    """Returns `symbols` with each adjacent occurrence of (a, b), left to right, replaced by a + b."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
            out.append(a + b)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out
