"""Show the package's own source code in a notebook: the book never retypes what it derives."""
import inspect


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
