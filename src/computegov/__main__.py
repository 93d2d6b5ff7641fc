from computegov.cli import main

main()
