"""ordergate: an order management system."""

from ordergate.compiled import use_pure_python_if_asked

__version__ = "0.1.0"

use_pure_python_if_asked()  # before any hot module is imported (ORDERGATE_PURE_PYTHON)
