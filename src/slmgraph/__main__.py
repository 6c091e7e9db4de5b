from slmgraph.cli import main

main()
