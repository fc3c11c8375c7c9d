#!/usr/bin/env python
from bianmin.cli import main

if __name__ == "__main__":
    main()
