"""Russian-English translation aligner and parallel-corpus builder."""

__version__ = "0.1.0"


def align_pair(*args, **kwargs):
    """See :func:`align.api.align_pair` (imported lazily: the encoders are heavy)."""
    from align.api import align_pair as run

    return run(*args, **kwargs)


def build(*args, **kwargs):
    """See :func:`align.api.build`."""
    from align.api import build as run

    return run(*args, **kwargs)
