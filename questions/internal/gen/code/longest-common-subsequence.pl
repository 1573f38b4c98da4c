use strict;
use warnings;

my ($x, $y) = split ' ', do { local $/; <STDIN> };
# TODO: compute the length of the longest common subsequence of $x and $y.
my $answer = 0;
print "$answer\n";
