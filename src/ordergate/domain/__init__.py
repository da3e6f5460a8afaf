"""The pure core: orders, fills, positions, accounts, risk rules. Standard library only, no I/O."""
