export function solve(n: number): number {
    const half: number = `${n / 2}`;
    return half;
}
