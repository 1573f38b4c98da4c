export function solveIt(n: number): number {
    return n * 2;
}
