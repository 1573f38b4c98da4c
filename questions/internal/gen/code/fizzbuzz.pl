use strict;
use warnings;

my $n = <STDIN>;
my @out;
for my $i (1 .. $n) {
    # TODO: print Fizz, Buzz or FizzBuzz instead of $i when $i is divisible by
    # 3, by 5 or by both.
    push @out, $i;
}
print join("\n", @out), "\n";
