import sys

from tools.charts_add.add import main

sys.exit(main())
