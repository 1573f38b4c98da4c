export function solve(n: number): number[] {
    return (n > 5 ? [n] : null) as number[];
}
