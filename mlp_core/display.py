"""Show things to a reader: the package's own source in a notebook (the book never retypes what it derives),
and counts in words."""
import inspect


def count(n, noun):
    """'1 epoch', '5 epochs': the number and its noun, singular for exactly one (regular plurals only)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def show_source(obj):
    """Display the source of a function, class or method of mlp_core, syntax-highlighted.

    In Jupyter this returns an IPython Code object (rendered with highlighting); elsewhere
    it returns the source as a string. Either way the text is read from the installed package,
    so the book and the code cannot drift apart.
    """
    source = inspect.getsource(obj)
    try:
        from IPython.display import Code
    except ImportError:
        return source
    return Code(source, language="python")
