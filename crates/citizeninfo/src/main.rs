fn main() -> anyhow::Result<()> {
    citizeninfo::cli::main()
}
