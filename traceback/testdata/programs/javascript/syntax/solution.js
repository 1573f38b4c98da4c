function solve(n) {
    return (n * 2;
}
module.exports = { solve };
