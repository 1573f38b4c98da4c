export function solve(n: number): number {
    if (n === 0) {
        throw new RangeError('n must be positive');
    }
    return 10 / n;
}
