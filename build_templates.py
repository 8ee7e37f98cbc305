"""Build this round's return workbooks.

python build_templates.py [--config FILE] [--out DIR] [--la NAME]
"""

from collate.generator.cli import main

if __name__ == "__main__":
    main()
