from glassnet.cli import main

main()
