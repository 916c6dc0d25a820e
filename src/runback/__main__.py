from runback.cli import main

main()
