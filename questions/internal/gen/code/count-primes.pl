use strict;
use warnings;

use constant LIMIT => 1_000_000;

my @data = split ' ', do { local $/; <STDIN> };
my $q = $data[0];
# TODO: sieve the primes up to LIMIT once, here.
my @out;
for my $n (@data[1 .. $q]) {
    # TODO: count the primes p <= $n.
    my $answer = 0;
    push @out, $answer;
}
print join("\n", @out), "\n";
